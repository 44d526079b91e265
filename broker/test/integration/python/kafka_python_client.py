"""Drives kafka-python (pure Python Kafka client) against a broker node.

Usage: kafka_python_client.py BOOTSTRAP TOPIC
Prints one JSON object with what it observed; exits non-zero on any failure.
"""
import json
import sys

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]
result = {}

admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="sluice-kafka-python")
admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1, topic_configs={"retention.ms": "3600000"})])
result["topics_listed"] = topic in admin.list_topics()
configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
entries = {entry[0]: entry[1] for entry in configs[0].resources[0][4]}
result["retention_ms"] = entries.get("retention.ms")

producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
futures = [producer.send(topic, key=f"k{i}".encode(), value=f"v{i}".encode(), partition=i % 2) for i in range(200)]
producer.flush()
offsets = [future.get(timeout=10) for future in futures]
result["produced"] = len(offsets)
producer.close()

consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, consumer_timeout_ms=3000)
partitions = [TopicPartition(topic, 0), TopicPartition(topic, 1)]
consumer.assign(partitions)
consumer.seek_to_beginning(*partitions)
values = sorted(message.value.decode() for message in consumer)
result["consumed"] = len(values)
result["all_values_match"] = values == sorted(f"v{i}" for i in range(200))
result["end_offsets"] = {str(tp.partition): offset for tp, offset in consumer.end_offsets(partitions).items()}
consumer.close()

admin.delete_topics([topic])
result["deleted"] = topic not in admin.list_topics()
admin.close()
print(json.dumps(result))
