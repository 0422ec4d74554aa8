"""Joining and transferring between unions (rules §3): applications, who may decide them, the
approvals queue, and the unions' announcements to their members."""
