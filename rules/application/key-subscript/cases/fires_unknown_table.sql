SELECT t.attrs['color'] FROM inventory.items t WHERE t.attrs['size'] = '"L"';
