// Integration tests talk to real servers: a generous per-test bound (Jest 30 reads testTimeout only globally).
jest.setTimeout(300_000);
