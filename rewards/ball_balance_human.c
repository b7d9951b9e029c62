// ball_balance, expert reward: the form of IsaacGymEnvs' BallBalance reward
// (1 / (1 + distance to the centre)) * (1 / (1 + ball speed)).
double compute_reward(const env_state *s, reward_terms *t) {
    double dist = sqrt(square(s->ball_pos[0]) + square(s->ball_pos[1]));
    double speed = vec3_norm(s->ball_vel);
    double r = 0.0;
    r += term(t, "pos_speed_reward", (1.0 / (1.0 + dist)) * (1.0 / (1.0 + speed)));
    return r;
}
