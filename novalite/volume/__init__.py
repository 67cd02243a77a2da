"""The built-in volume service (a Cinder v3 subset): the REST API (``api/``), its records
(``store/``), the backends that hold the data (``backends/``: a qcow2 file per volume,
or a raw file exported over iSCSI by tgt), and the client compute nodes use
(``client.py``)."""
