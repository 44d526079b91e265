"""One confluent-kafka-python (librdkafka) consumer group member.

Usage: confluent_group_member.py BOOTSTRAP GROUP TOPIC [GROUP_INSTANCE_ID]
Commits synchronously after every record and prints JSON lines:
{"event": "joined", "assignment": {topic: [partitions]}} on each assignment and
{"event": "committed", "value": ...} once a commit is acknowledged.
SIGTERM closes the consumer (LeaveGroup); SIGKILL is a crash.
"""
import json
import signal
import sys

from confluent_kafka import Consumer, TopicPartition

bootstrap, group, topic = sys.argv[1], sys.argv[2], sys.argv[3]
instance_id = sys.argv[4] if len(sys.argv) > 4 else None
running = True


def stop(_signum, _frame):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)


def emit(event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def on_assign(_consumer, partitions):
    emit({"event": "joined", "assignment": {topic: sorted(p.partition for p in partitions)}})


static = {"group.instance.id": instance_id, "session.timeout.ms": 10000} if instance_id else {}
consumer = Consumer({
    "bootstrap.servers": bootstrap,
    "group.id": group,
    "client.id": "sluice-confluent-member",
    "auto.offset.reset": "earliest",
    "enable.auto.commit": False,
    "session.timeout.ms": 3000,
    "heartbeat.interval.ms": 300,
    "fetch.wait.max.ms": 100,
    **static,
})
consumer.subscribe([topic], on_assign=on_assign)
while running:
    message = consumer.poll(0.1)
    if message is None:
        continue
    if message.error():
        print(f"consumer error: {message.error()}", file=sys.stderr)
        continue
    try:
        consumer.commit(message=message, asynchronous=False)
    except Exception as error:  # a commit refused during a rebalance: the record is not committed work
        print(f"commit failed: {error}", file=sys.stderr)
        try:  # process it again if the partition is still ours; otherwise its next owner will
            consumer.seek(TopicPartition(topic, message.partition(), message.offset()))
        except Exception:
            pass
        continue
    emit({"event": "committed", "value": message.value().decode(), "partition": message.partition(), "offset": message.offset()})
consumer.close()
