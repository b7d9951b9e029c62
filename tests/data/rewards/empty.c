// expect: compile_error
// message: defines no compute_reward
