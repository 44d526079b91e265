"""Produces and consumes over a SASL_PLAINTEXT listener with a Python client.

Usage: sasl_client.py CLIENT BOOTSTRAP TOPIC MECHANISM USERNAME PASSWORD
CLIENT is kafka-python (SaslHandshake v0 and bare tokens) or confluent-kafka
(librdkafka: SaslHandshake v1 and SaslAuthenticate).
Prints one JSON object: what was produced and consumed, or the error that
stopped the client (an authentication failure).
"""
import json
import sys

client, bootstrap, topic, mechanism, username, password = sys.argv[1:7]
COUNT = 20
values = [f"{mechanism}-{i}" for i in range(COUNT)]


def kafka_python():
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.errors import KafkaError

    security = dict(bootstrap_servers=bootstrap, security_protocol="SASL_PLAINTEXT", sasl_mechanism=mechanism,
                    sasl_plain_username=username, sasl_plain_password=password, request_timeout_ms=10000)
    try:
        producer = KafkaProducer(acks="all", **security)
    except KafkaError as error:
        return {"error": type(error).__name__}
    for value in values:
        producer.send(topic, value.encode(), partition=0).get(10)
    producer.close()
    consumer = KafkaConsumer(group_id=None, enable_auto_commit=False, consumer_timeout_ms=3000, **security)
    consumer.assign([TopicPartition(topic, 0)])
    consumer.seek_to_beginning()
    consumed = [message.value.decode() for message in consumer]
    consumer.close()
    return {"produced": COUNT, "consumed": consumed}


def confluent_kafka():
    from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Producer, TopicPartition

    security = {"bootstrap.servers": bootstrap, "security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": mechanism,
                "sasl.username": username, "sasl.password": password}
    errors = []
    producer = Producer({**security, "acks": "all", "error_cb": lambda error: errors.append(error)})
    try:
        producer.list_topics(topic, timeout=10)
    except KafkaException as error:
        # librdkafka reports the failed authentication through error_cb (served by poll); the metadata call only times out.
        producer.poll(0)
        return {"error": next((e.name() for e in errors if e.name() == "_AUTHENTICATION"), error.args[0].name())}
    delivered = []
    for value in values:
        producer.produce(topic, value.encode(), partition=0, on_delivery=lambda err, msg: delivered.append(err))
    producer.flush(15)
    if any(err is not None for err in delivered):
        return {"error": str([err for err in delivered if err is not None][0])}
    consumer = Consumer({**security, "group.id": "sluice-sasl-unused", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    consumed = []
    empty_polls = 0
    while len(consumed) < COUNT and empty_polls < 20:
        message = consumer.poll(0.5)
        if message is None:
            empty_polls += 1
            continue
        if message.error():
            raise KafkaException(message.error())
        consumed.append(message.value().decode())
    consumer.close()
    return {"produced": len(delivered), "consumed": consumed}


print(json.dumps(kafka_python() if client == "kafka-python" else confluent_kafka()))
