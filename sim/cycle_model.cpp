// Cycle model of the generated pipeline (see cycle_model.h).
#include "sim/cycle_model.h"

#include "core/error.h"

namespace rapidnn {

double CyclePrediction::interval() const {
  if (produced.size() < 2) return 0.0;
  return static_cast<double>(produced.back() - produced.front()) / static_cast<double>(produced.size() - 1);
}

CyclePrediction predict_cycles(const RtlPlan& plan, std::int64_t samples) {
  struct Buf {
    bool full[2] = {false, false};
    int wsel = 0, rsel = 0;
    bool wr_ready() const { return !full[wsel]; }
    bool rd_valid() const { return full[rsel]; }
  };
  enum State { Idle, Run, Done };
  struct St {
    State state = Idle;
    std::int64_t left = 0;
  };
  CyclePrediction p;
  p.accepted.resize(static_cast<std::size_t>(samples));
  p.produced.resize(static_cast<std::size_t>(samples));
  std::vector<Buf> bufs(plan.buffers.size());
  std::vector<St> st(plan.stages.size());
  bool out_valid = false;
  std::int64_t fed = 0, k = 0, outputs = 0;
  const std::int64_t total = samples * plan.input_beats;
  const std::uint64_t limit = static_cast<std::uint64_t>(samples + 4) * static_cast<std::uint64_t>(plan.interval() + 16) *
                              static_cast<std::uint64_t>(plan.stages.size() + 2) + 1000;
  for (std::uint64_t c = 0; outputs < samples; ++c) {
    if (c > limit) fail("", "cycle model: the pipeline does not make progress (a planner bug)");
    std::vector<int> wr_done(bufs.size(), 0), rd_done(bufs.size(), 0);
    bool out_done = false;
    // Output side: always ready.
    const bool out_fire = out_valid;
    if (out_fire) p.produced[static_cast<std::size_t>(outputs++)] = c;
    // Input encoder: one beat (features_per_beat features) per cycle.
    if (fed < total && bufs[0].wr_ready()) {
      if (k == 0) p.accepted[static_cast<std::size_t>(fed / plan.input_beats)] = c;
      ++fed;
      if (++k == plan.input_beats) {
        k = 0;
        wr_done[0] = 1;
      }
    }
    // Stages.
    for (std::size_t s = 0; s < st.size(); ++s) {
      const RtlStage& t = plan.stages[s];
      St& m = st[s];
      const bool out_ready = t.output ? !out_valid : bufs[static_cast<std::size_t>(t.out_buffer)].wr_ready();
      switch (m.state) {
        case Idle:
          if (bufs[static_cast<std::size_t>(t.in_buffer)].rd_valid() && out_ready) {
            m.state = Run;
            m.left = t.cycles - 2;
          }
          break;
        case Run:
          if (--m.left == 0) m.state = Done;
          break;
        case Done:
          rd_done[static_cast<std::size_t>(t.in_buffer)] = 1;
          if (t.output) out_done = true;
          else wr_done[static_cast<std::size_t>(t.out_buffer)] = 1;
          m.state = Idle;
          break;
      }
    }
    // Clock edge.
    for (std::size_t b = 0; b < bufs.size(); ++b) {
      if (wr_done[b]) {
        bufs[b].full[bufs[b].wsel] = true;
        bufs[b].wsel ^= 1;
      }
      if (rd_done[b]) {
        bufs[b].full[bufs[b].rsel] = false;
        bufs[b].rsel ^= 1;
      }
    }
    if (out_done) out_valid = true;
    else if (out_fire) out_valid = false;
    p.cycles = c + 1;
  }
  return p;
}

}  // namespace rapidnn
