"""Teams of a campaign (rules §7): forming, joining, captains, and team days."""
