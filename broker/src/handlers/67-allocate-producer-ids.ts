// AllocateProducerIds (key 67), version 0: a broker of the quorum asks the active controller for its next block of
// producer ids (over the controller listener); the block is a ProducerIdsRecord, which reaches the broker as it replays.
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { AllocateProducerIdsRequest, AllocateProducerIdsResponse } from "../protocol/generated";
import { defineHandler, errorOf } from "./handler";

export const allocateProducerIdsHandler = defineHandler<AllocateProducerIdsRequest, AllocateProducerIdsResponse>({
  apiKey: ApiKey.AllocateProducerIds,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, context) {
    const { services } = context;
    const answer = (errorCode: number, producerIdStart = -1, producerIdLen = 0): AllocateProducerIdsResponse => ({ throttleTimeMs: 0, errorCode, producerIdStart: BigInt(producerIdStart), producerIdLen });
    const onControllerListener = services.config.quorum?.controllerListenerNames.includes(context.connection.listenerName) ?? false;
    if (!onControllerListener || request.brokerId < 0) return answer(ErrorCode.INVALID_REQUEST);
    try {
      const block = await services.controller.allocateProducerIds(request.brokerId, { forwarded: true });
      return answer(ErrorCode.NONE, block.producerIdStart, block.producerIdLen);
    } catch (error) {
      return answer(errorOf(error, context).errorCode);
    }
  },
});
