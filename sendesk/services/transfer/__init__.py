"""Joining and leaving: the DfE Common Transfer File in and out, and leavers' SEN files."""
