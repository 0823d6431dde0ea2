"""Data intake: a park's input file and everything that reads, checks or writes one.

Holds: the park input models (`models`), finding and reading a file by its reader (`load`), the
catalog checks (`checks`), what a blank means and how templates lay a file out (`shape`), blank
templates (`template`), Excel workbooks (`workbook`), `evalkit validate` (`validate`) and the
cross-checks between answers and data (`consistency`).
May import: `evalkit.core`, `evalkit.catalog`, `evalkit.carbon`.
"""

from evalkit.intake.load import (check_park_id, evidence_files, find_park_file, load_park, read_park,
                                 read_park_file)
from evalkit.intake.models import LoadedPark, ParkInput, Profile, evidence_dir, parse_park, parse_park_collecting

__all__ = ["LoadedPark", "ParkInput", "Profile", "check_park_id", "evidence_dir", "evidence_files",
           "find_park_file", "load_park", "parse_park", "parse_park_collecting", "read_park", "read_park_file"]
