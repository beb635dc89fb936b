LISTEN jobs;
NOTIFY jobs, 'run';
UNLISTEN *;
