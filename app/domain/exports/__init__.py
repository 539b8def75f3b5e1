"""Exports shared by every report (statistics now, archives later): tables as native Excel
workbooks or CSV, one formula-injection guard, and the download's file name."""
