// expect: compile_error
// message: 'malloc' is not available to rewards
void *malloc(unsigned long size);
double compute_reward(const env_state *s, reward_terms *t) {
    char *p = malloc(4ul << 30);
    p[0] = 1;
    return term(t, "x", s->cart_pos);
}
