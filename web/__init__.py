"""The portal: agencies submit reports, approvers act, the coordinator follows progress.

`web.app.create_app` builds the FastAPI application from resources the caller opened (the
way activities receive theirs). `adapters.links` has no third-party imports on purpose: the worker
uses it to put signed action links into notices without loading the web stack.
"""
