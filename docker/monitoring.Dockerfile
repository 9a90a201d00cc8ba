# Sensu monitoring setup and result handler.
FROM calipso-base
CMD ["calipso", "monitoring"]
