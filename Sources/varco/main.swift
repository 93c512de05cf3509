print("varco")
