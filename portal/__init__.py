"""The client portal: the pages a client's users see, above both ``orders`` and ``settlements``.

It reads orders through ``orders.selectors``, moves money only through ``orders.services`` and
shows settlement outcomes read through ``settlements.selectors``. Neither app imports it, and
``orders`` never reaches ``settlements`` on its behalf.
"""
