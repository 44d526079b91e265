"""An idempotent confluent-kafka-python (librdkafka) producer for the deduplication test.

Usage: confluent_idempotent_producer.py BOOTSTRAP TOPIC COUNT
Produces values "r0".."r{COUNT-1}" to partition 0 and prints one JSON object
with the delivery results; exits non-zero on any failure.
"""
import json
import sys

from confluent_kafka import Producer

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
errors = []
delivered = []


def on_delivery(err, msg):
    if err is not None:
        errors.append(str(err))
    else:
        delivered.append(msg.offset())


producer = Producer({
    "bootstrap.servers": bootstrap,
    "enable.idempotence": True,
    "linger.ms": 2,
    "batch.num.messages": 50,
    "message.timeout.ms": 60000,
    "retry.backoff.ms": 50,
    "reconnect.backoff.ms": 20,
    "reconnect.backoff.max.ms": 100,
})
for i in range(count):
    while True:
        try:
            producer.produce(topic, value=f"r{i}".encode(), partition=0, on_delivery=on_delivery)
            break
        except BufferError:
            producer.poll(0.05)
    producer.poll(0)
remaining = producer.flush(60)
print(json.dumps({"delivered": len(delivered), "errors": errors[:5], "error_count": len(errors), "unflushed": remaining}))
