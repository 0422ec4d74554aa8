"""What every feature shares and none owns: domain errors' base, the audit log, spreadsheets, images and
stored media, phone numbers, personal-data encryption, readable codes."""
