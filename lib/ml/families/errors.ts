// Errors a family's fit can raise, in a module free of TensorFlow.js so callers can test for them cheaply.
import { AppError } from "../../errors";

/** The training loss became NaN or infinite: the run fails with a message a person can act on. */
export class TrainingDivergedError extends AppError {
  constructor(epoch: number, loss: number, hint = "lower the learning rate") {
    super("invalid", `training diverged (loss became ${Number.isNaN(loss) ? "NaN" : loss} at epoch ${epoch}); ${hint}`, { epoch });
    this.name = "TrainingDivergedError";
  }
}
