// expect: compile_error
// message: reward.c:4:
double compute_reward(const env_state *s, reward_terms *t) {
    return term(t, "x", s->cube_quat[0]);
}
