"""xuefa (学法): the domain of a yearly online legal study and exam programme.

Plain, typed code with no Chalice and no HTTP: every rule takes its clock, config and
store as arguments so that it can be tested without AWS.
"""
