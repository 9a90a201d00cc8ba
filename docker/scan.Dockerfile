# Scan manager: runs requested and scheduled scans, answers connection tests.
FROM calipso-base
CMD ["calipso", "scan-manager"]
