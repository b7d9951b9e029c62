// expect: compile_error
// message: reward.c:4: 'printf' is not available to rewards
double compute_reward(const env_state *s, reward_terms *t) {
    printf("%f\n", s->cart_pos);
    return term(t, "x", s->cart_pos);
}
