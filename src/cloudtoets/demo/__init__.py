"""Demo data: a realistic, fictional register of eleven organisations for the web app's demo mode.

``build_demo_inventory()`` gives the register as domain objects, ``demo_inventory_document()`` as
an inventory document (interface.md keys). ``DEMO_AS_OF`` is the date its verdict mix is made for.
"""

from cloudtoets.demo.data import DEMO_AS_OF, build_demo_inventory, demo_inventory_document

__all__ = ["DEMO_AS_OF", "build_demo_inventory", "demo_inventory_document"]
