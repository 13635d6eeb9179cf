// Keys of the per-model state kept in the Setting table. Each is updated by compare-and-set, so
// several workers acting at once agree on who enqueued a slot or triggered a retraining.

/** ISO time of the last schedule slot a report was enqueued for. */
export const scheduleKey = (modelId: string) => `monitor.schedule.${modelId}`;

/** createdAt (ISO) of the newest report already counted in a retraining trigger. */
export const retrainMarkKey = (modelId: string) => `monitor.retrain.${modelId}`;
