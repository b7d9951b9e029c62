// expect: compile_error
// message: reward.c:3: compute_reward must be
const double compute_reward = 1.0;
