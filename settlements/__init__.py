"""Settlements: the money outcome of every terminal boost, its payout, corrections and calendar.

It reads ``orders``; ``orders`` never imports it (DESIGN §9).
"""
