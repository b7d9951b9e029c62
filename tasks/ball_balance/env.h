/* ball_balance: what the reward can read at every control step (50 Hz).
 * A ball rolls on a square tray (50 cm side) whose centre is fixed 0.5 m above the
 * ground; the policy tilts the tray about the world x and y axes. Gravity is -z.
 * The episode ends early if the ball falls off the tray. */
#define TRAY_HALF_SIZE 0.25      /* m: the tray's edges are 25 cm from its centre */
#define BALL_RADIUS 0.03         /* m */
#define TARGET_RADIUS 0.05       /* m: "balanced" = ball centre within this of the tray centre (in the tray plane) */

typedef struct env_state {
    double ball_pos[3];          /* ball centre relative to the tray centre, tray frame, m
                                    (x, y in the tray plane; z along the tray normal, 0.04 when resting on it) */
    double ball_vel[3];          /* ball velocity, world frame, m/s */
    double tray_tilt[2];         /* tray angles about world x and y, rad (0 = level) */
    double tray_tilt_vel[2];     /* their rates, rad/s */
    double action[2];            /* this step's tilt targets, each in [-1, 1] (= +-0.3 rad) */
    int step;                    /* control step within the episode, 0..299 */
} env_state;
