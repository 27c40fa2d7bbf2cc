"""Reports of the monitoring figures: PDF (tagged, PDF/UA-1) and XLSX, and the SVG bar charts
that the web page and the PDF share."""
