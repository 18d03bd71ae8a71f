#include <cstdio>
#include <string>

#include "classiflow/linear.h"
#include "models/option_table.h"

namespace classiflow {
Status LinearOptions::Validate() const {
  // Written so that NaN fails every range.
  if (!(learning_rate > 0.0 && learning_rate <= 100.0)) {
    return Status::InvalidArgument("learning_rate must be in (0, 100], not " +
                                   ShownNumber(learning_rate));
  }
  if (!(l2 >= 0.0 && l2 <= 1.0)) {
    return Status::InvalidArgument("l2 must be in [0, 1], not " + ShownNumber(l2));
  }
  if (optimizer != "adagrad" && optimizer != "sgd" && optimizer != "dual") {
    return Status::InvalidArgument("optimizer must be \"adagrad\", \"sgd\" or \"dual\", not " +
                                   QuotePrefix(optimizer));
  }
  if (!(prune >= 0.0 && prune <= 0.5)) {
    return Status::InvalidArgument("prune must be in [0, 0.5], not " + ShownNumber(prune));
  }
  if (loss != "log" && loss != "hinge") {
    return Status::InvalidArgument("loss must be \"log\" or \"hinge\", not " + QuotePrefix(loss));
  }
  if (optimizer == "dual" && loss != "hinge") {
    return Status::InvalidArgument("optimizer \"dual\" is for loss \"hinge\", not " +
                                   QuotePrefix(loss));
  }
  if (loss == "hinge" && multilabel) {
    return Status::InvalidArgument("loss \"hinge\" is for single-label models, not multilabel");
  }
  if (epochs < 1 || epochs > 1000) {
    return Status::InvalidArgument("epochs must be in [1, 1000], not " + std::to_string(epochs));
  }
  return Status::OK();
}

const OptionTable& LinearOptionTable() {
  static const OptionTable kTable = {
      {"learning_rate", Field([](auto* o) -> auto& { return o->linear.learning_rate; })},
      {"l2", Field([](auto* o) -> auto& { return o->linear.l2; })},
      {"optimizer", Field([](auto* o) -> auto& { return o->linear.optimizer; })},
      {"epochs", Field([](auto* o) -> auto& { return o->linear.epochs; })},
      {"seed", Field([](auto* o) -> auto& { return o->linear.seed; })},
      {"idf", Field([](auto* o) -> auto& { return o->linear.idf; })},
      {"quantize", Field([](auto* o) -> auto& { return o->linear.quantize; })},
      {"prune", Field([](auto* o) -> auto& { return o->linear.prune; })},
      {"multilabel", Field([](auto* o) -> auto& { return o->linear.multilabel; })},
      {"loss", Field([](auto* o) -> auto& { return o->linear.loss; })},
  };
  return kTable;
}

}  // namespace classiflow
