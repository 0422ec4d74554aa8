"""The union tree (rules §2): its nodes, who administers which subtree (scope) and how admins are granted."""
