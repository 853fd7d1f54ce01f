"""Summarizing backends: the protocol, the offline backend, and (later) the OpenAI one."""
