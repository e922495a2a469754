"""Recognition: identify a page by its code, register it to the form geometry, read its fields.

    read_page(image, dpi, forms) -> PageReading      the whole stage for one page
    identify(image, dpi) -> (PageIdentity|None, rotated_degrees, markers_found)
    register(image, dpi, rotated) -> (canonical 1680x2376 grey page, residual_mm)
"""

from intake.recognize.canon import CANON_H, CANON_PX_PER_MM, CANON_W  # noqa: F401
from intake.recognize.page import identify, read_fields, read_page  # noqa: F401
from intake.recognize.register import RegistrationError, register  # noqa: F401
from intake.recognize.types import FieldReading, PageReading  # noqa: F401
