"""incident-map's drawing side: placed GeoDataFrames -> a layered Folium page.

`maps` never geocodes: it receives placed records from `geo`.
"""
