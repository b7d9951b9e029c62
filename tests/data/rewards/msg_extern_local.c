// expect: compile_error
// message: reward.c:4: 'extern' variable 'program_invocation_name'
double compute_reward(const env_state *s, reward_terms *t) {
    extern const char *const program_invocation_name;
    return term(t, "x", program_invocation_name[0]);
}
