print("lockwatch")
