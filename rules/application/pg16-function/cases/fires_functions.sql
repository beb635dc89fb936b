SELECT uuidv7();
SELECT array_shuffle(ARRAY[1, 2, 3]);
