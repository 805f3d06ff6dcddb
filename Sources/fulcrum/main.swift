print("fulcrum")
