// expect: compile_error
// message: 'fork' is not available to rewards
int fork(void);
double compute_reward(const env_state *s, reward_terms *t) {
    if (s->step == 3) fork();
    return term(t, "x", s->cart_pos);
}
