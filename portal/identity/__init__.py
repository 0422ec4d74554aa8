"""People and their accounts (rules §1): sign-up and sign-in by SMS code or password, real-name profiles,
ID numbers, the member's inbox."""
