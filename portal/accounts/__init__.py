"""Accounts: people, their roles (requester, agent, knowledge manager, trainer, admin),
passwords, log-in with lock-out, password reset, personal API tokens and demo accounts.

Views and commands call ``portal.accounts.services``; nothing here imports Flask or sends mail.
"""
