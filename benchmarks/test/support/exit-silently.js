// A peer process that exits without answering (for the protocol test).
process.exit(3);
