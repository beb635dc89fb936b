SELECT tags[1], tags[2:3] FROM inventory.items;
