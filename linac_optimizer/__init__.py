"""Pure-Python LINAC scheduling engine (no Django): see DESIGN.md, contract linac-schedule/1."""
