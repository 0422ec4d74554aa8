"""The boards (排行榜, rules §8): what each board is, snapshots, reading and exporting them."""
