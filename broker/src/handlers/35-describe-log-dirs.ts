// DescribeLogDirs (key 35), versions 0-4: each log dir with the bytes of every partition
// it holds, and (v4) the space of the file system under it.
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { DescribeLogDirsRequest, DescribeLogDirsResponse } from "../protocol/generated";
import { defineHandler } from "./handler";

export const describeLogDirsHandler = defineHandler<DescribeLogDirsRequest, DescribeLogDirsResponse>({
  apiKey: ApiKey.DescribeLogDirs,
  minVersion: 0,
  maxVersion: 4,
  handle(request, { services }) {
    // null asks for every partition; a list names topics and partitions.
    const wanted =
      request.topics === null ? null : new Map(request.topics.map((topic) => [topic.topic, new Set(topic.partitions)]));
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: services.logs.sizeBytesByPartition().map((usage) => {
        const topics = new Map<string, Array<{ partitionIndex: number; partitionSize: bigint; offsetLag: bigint; isFutureKey: boolean }>>();
        for (const partition of usage.partitions) {
          if (wanted && !wanted.get(partition.topic)?.has(partition.partition)) continue;
          let list = topics.get(partition.topic);
          if (!list) topics.set(partition.topic, (list = []));
          list.push({ partitionIndex: partition.partition, partitionSize: BigInt(partition.sizeBytes), offsetLag: 0n, isFutureKey: false });
        }
        const space = services.logs.spaceOf(usage.dir);
        return {
          errorCode: space ? ErrorCode.NONE : ErrorCode.KAFKA_STORAGE_ERROR,
          logDir: usage.dir,
          topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
          totalBytes: space?.totalBytes ?? -1n,
          usableBytes: space?.usableBytes ?? -1n,
        };
      }),
    };
  },
});
