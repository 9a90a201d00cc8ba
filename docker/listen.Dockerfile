# Event listener: one AMQP consumer per environment with listen: true.
FROM calipso-base
CMD ["calipso", "listen"]
