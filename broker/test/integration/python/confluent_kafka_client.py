"""Drives confluent-kafka-python (librdkafka) against a broker node.

Usage: confluent_kafka_client.py BOOTSTRAP TOPIC
Prints one JSON object with what it observed; exits non-zero on any failure.
"""
import json
import sys

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]
result = {}

admin = AdminClient({"bootstrap.servers": bootstrap})
admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1, config={"cleanup.policy": "delete"})])[topic].result(10)
try:
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])[topic].result(10)
    result["duplicate_create_error"] = None
except KafkaException as error:
    result["duplicate_create_error"] = error.args[0].name()
admin.create_partitions([NewPartitions(topic, 3)])[topic].result(10)
metadata = admin.list_topics(timeout=10)
result["partitions"] = len(metadata.topics[topic].partitions)
described = admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, topic)])
for resource, future in described.items():
    configs = future.result(10)
    result["cleanup_policy"] = configs["cleanup.policy"].value
    result["segment_bytes_is_default"] = configs["segment.bytes"].is_default

delivered = []
producer = Producer({"bootstrap.servers": bootstrap, "compression.type": "lz4", "linger.ms": 5})
for i in range(1000):
    producer.produce(topic, key=f"k{i}", value=f"value-{i}", partition=i % 3,
                     headers=[("n", str(i).encode())], on_delivery=lambda err, msg: delivered.append(err))
producer.flush(15)
result["delivered"] = len(delivered)
result["delivery_errors"] = sum(1 for err in delivered if err is not None)

consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "sluice-unused", "enable.auto.commit": False})
consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(3)])
values = []
empty_polls = 0
while len(values) < 1000 and empty_polls < 20:
    message = consumer.poll(0.5)
    if message is None:
        empty_polls += 1
        continue
    if message.error():
        raise KafkaException(message.error())
    values.append(message.value().decode())
low, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
result["watermarks_p0"] = [low, high]
consumer.close()
result["consumed"] = len(values)
result["all_values_match"] = sorted(values) == sorted(f"value-{i}" for i in range(1000))

admin.delete_topics([topic])[topic].result(10)
print(json.dumps(result))
